# The shared corpus (tests/corpus/*.json, see tests/corpus/SCHEMA.md) run through
# polyipc's public Perl API. No scenario logic lives here: this file only
# interprets the step language. One Test::More subtest per scenario.
#
# When POLYIPC_CORPUS_REPORT names a file, the counts are written there at the
# end (tests/corpus/check_counts.py compares the three languages).
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use POSIX ();
use File::Basename qw(dirname);
use File::Spec;
use Scalar::Util qw(blessed looks_like_number);
use PolyIPC;

my $LANG = 'perl';
my $DIR = $ENV{POLYIPC_CORPUS_DIR} || File::Spec->catdir(dirname(File::Spec->rel2abs(__FILE__)), '..', 'corpus');

# ---------------------------------------------------------------------------
# The mapping layer: everything Perl-specific about the API is here.
# ---------------------------------------------------------------------------
sub api_new {
    my ($cls, $args, $kwargs) = @_;
    return "PolyIPC::$cls"->new(@$args, %$kwargs);
}

# Perl names that differ from the corpus's (Python's) for the same operation:
# SemaphoreSet has value($i), values (a list) and set_values(@list) (PolyIPC.pod).
my %PERL_NAME = (
    get_value  => sub { my ($o, @a) = @_; return $o->value(@a) },
    get_values => sub { my ($o) = @_; return [$o->values] },
    set_values => sub { my ($o, $list) = @_; return $o->set_values(@$list) },
);

# Methods and module functions are called in list context; a list of more than
# one value (receive) becomes an array ref.
sub api_call {
    my ($obj, $name, $args, $kwargs) = @_;
    my @r;
    if (defined $obj && $PERL_NAME{$name} && $obj->isa('PolyIPC::SemaphoreSet')) {
        @r = $PERL_NAME{$name}->($obj, @$args, %$kwargs);
    } elsif (defined $obj) {
        @r = $obj->$name(@$args, %$kwargs);
    } else {
        my $f = PolyIPC->can($name) or die "PolyIPC::$name is not defined\n";
        @r = $f->(@$args, %$kwargs);
    }
    return @r > 1 ? \@r : $r[0];
}

sub api_get { my ($obj, $name) = @_; return scalar $obj->$name() }

# Setters are set_<attribute> methods (docs/perl.md).
sub api_set {
    my ($obj, $name, $value) = @_;
    my $setter = "set_$name";
    $obj->$setter($value);
    return;
}

sub api_const {
    my ($name) = @_;
    my $f = PolyIPC->can($name) or die "PolyIPC::$name is not defined\n";
    return $f->();
}

sub error_matches {
    my ($err, $kind) = @_;
    if ($kind eq 'AttributeNotWritable') {
        return !blessed($err) && $err =~ /^Can't locate object method "set_/;
    }
    return blessed($err) && $err->isa("PolyIPC::$kind") && $err->isa('PolyIPC::Error');
}

sub error_errno { my ($err) = @_; return blessed($err) && $err->can('errno') ? $err->errno : undef }

sub self_value {
    my ($what) = @_;
    return $$ if $what eq 'pid';
    return $> + 0 if $what eq 'uid';
    return (split ' ', $))[0] + 0 if $what eq 'gid';
    return POSIX::sysconf(POSIX::_SC_PAGESIZE()) if $what eq 'page_size';
    if ($what eq 'msgmax' || $what eq 'msgmnb') {
        open my $fh, '<', "/proc/sys/kernel/$what" or die "$what: $!";
        my $v = <$fh>;
        return $v + 0;
    }
    die "unknown self value $what\n";
}

sub drop_privileges {
    my ($user) = @_;
    die "unknown user $user\n" unless $user eq 'nobody';
    $) = '65534 65534';    # egid and no supplementary groups
    POSIX::setgid(65534) or die "setgid: $!";
    POSIX::setuid(65534) or die "setuid: $!";
    die "could not drop privileges\n" unless $< == 65534 && $> == 65534;
}

# ---------------------------------------------------------------------------
# The step interpreter (the same in every language's runner).
# ---------------------------------------------------------------------------
sub value {
    my ($v, $env) = @_;
    return [map { value($_, $env) } @$v] if ref $v eq 'ARRAY';
    return $v unless ref $v eq 'HASH';
    if (exists $v->{hex}) {
        return pack('H*', $v->{hex}) x value(exists $v->{repeat} ? $v->{repeat} : 1, $env);
    }
    if (exists $v->{var}) {
        die "FAIL variable '$v->{var}' is not set\n" unless exists $env->{$v->{var}};
        return exists $v->{plus} ? $env->{$v->{var}} + $v->{plus} : $env->{$v->{var}};
    }
    return join '', map { value($_, $env) } @{$v->{join}} if exists $v->{join};
    if (exists $v->{const}) {
        return api_const($v->{const}) unless ref $v->{const};
        my $r = 0;
        $r |= api_const($_) for @{$v->{const}};    # flags: small non-negative bits
        return $r;
    }
    return oct($v->{oct}) if exists $v->{oct};
    return self_value($v->{self}) + ($v->{plus} || 0) if exists $v->{self};
    die "FAIL unknown value form\n";
}

sub is_integer { my ($x) = @_; return defined $x && !ref $x && $x =~ /^-?\d+\z/ }

sub matches {
    my ($got, $exp, $env) = @_;
    if (ref $exp eq 'HASH' && (exists $exp->{gt} || exists $exp->{ge})) {
        return 0 unless is_integer($got);
        return exists $exp->{gt} ? $got > value($exp->{gt}, $env) : $got >= value($exp->{ge}, $env);
    }
    if (ref $exp eq 'ARRAY') {
        return 0 unless ref $got eq 'ARRAY' && @$got == @$exp;
        for my $i (0 .. $#$exp) { return 0 unless matches($got->[$i], $exp->[$i], $env) }
        return 1;
    }
    my $want = value($exp, $env);
    return (!!$got) == (!!$want) if JSON::PP::is_bool($want);
    return 0 unless defined $got && !ref $got;
    return $got == $want if is_integer($want) && is_integer($got);
    return 0 if is_integer($want);
    return $got eq $want;    # bytes and strings
}

# The `pick` modifier (SCHEMA.md): record fields, list indices, "#" = length.
# api_call collapses a one-element list to the element and an empty one to
# undef, so index 0 of a non-array is the value itself.
sub pick {
    my ($got, $path) = @_;
    for my $p (@$path) {
        if ($p eq '#') { $got = ref $got eq 'ARRAY' ? scalar @$got : defined $got ? 1 : 0 }
        elsif ($p !~ /^\d+$/) { $got = $got->{$p} }
        elsif (ref $got eq 'ARRAY') { $got = $got->[$p] }
        else { $got = $p == 0 ? $got : undef }
    }
    return $got;
}

sub show {
    my ($v) = @_;
    my $s = ref $v ? JSON::PP->new->canonical->allow_nonref->allow_blessed->encode($v) : defined $v ? "'$v'" : 'undef';
    $s =~ s/([^\x20-\x7e])/sprintf('\\x%02x', ord $1)/ge;
    return length $s <= 120 ? $s : substr($s, 0, 117) . '...';
}

sub perform {
    my ($step, $env) = @_;
    my @args = map { value($_, $env) } @{$step->{args} || []};
    my %kwargs = map { ($_ => value($step->{kwargs}{$_}, $env)) } sort keys %{$step->{kwargs} || {}};
    my $on = exists $step->{on} ? value({var => $step->{on}}, $env) : undef;
    return api_new($step->{new}, \@args, \%kwargs) if exists $step->{new};
    return api_call($on, $step->{call}, \@args, \%kwargs) if exists $step->{call};
    return api_get($on, $step->{get}) if exists $step->{get};
    return api_set($on, $step->{set}, value($step->{value}, $env)) if exists $step->{set};
    return api_const($step->{const}) if exists $step->{const};
    return '' . value({var => $step->{str}}, $env) if exists $step->{str};
    die "FAIL step has no action\n";
}

my $JSON = JSON::PP->new->canonical;

sub check_step {
    my ($step, $env) = @_;
    my $what = $step->{note} || substr($JSON->encode($step), 0, 100);
    my $got;
    my $ok = eval { $got = perform($step, $env); 1 };
    if (!$ok) {
        my $err = $@;
        die $err if !ref $err && $err =~ /^FAIL /;
        die "FAIL $what: unexpected error: $err\n" unless exists $step->{raises};
        die "FAIL $what: expected $step->{raises}, got " . (blessed($err) || 'a string') . ": $err\n"
            unless error_matches($err, $step->{raises});
        if (exists $step->{errno}) {
            my $e = error_errno($err);
            die "FAIL $what: expected errno $step->{errno}, got " . ($e // 'undef') . " ($err)\n"
                unless defined $e && $e == $step->{errno};
        }
        return;
    }
    if (exists $step->{raises}) {
        eval { $got->remove } if exists $step->{new} && blessed $got;    # never leak it
        die "FAIL $what: expected $step->{raises}, but it returned " . show($got) . "\n";
    }
    $got = pick($got, $step->{pick}) if exists $step->{pick};
    if (exists $step->{expect} && !matches($got, $step->{expect}, $env)) {
        die "FAIL $what: expected " . show($step->{expect}) . ", got " . show($got) . "\n";
    }
    $env->{$step->{save}} = $got if exists $step->{save};
    return;
}

sub in_child {
    my ($step, $env) = @_;
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $r;
        my $code = 0;
        my $ok = eval {
            drop_privileges($step->{as_user}) if exists $step->{as_user};
            check_step($step, $env);
            1;
        };
        if (!$ok) { $code = 1; print {$w} "$@" }
        close $w;
        POSIX::_exit($code);
    }
    close $w;
    my $msg = do { local $/; <$r> };
    close $r;
    waitpid($pid, 0);
    return if $? == 0;
    $msg =~ s/^FAIL //;
    my $who = exists $step->{as_user} ? " as $step->{as_user}" : '';
    die "FAIL in a child$who: " . ($msg || "wait status $?") . "\n";
}

sub private_ipc_namespace {
    my $outer = $ENV{POLYIPC_OUTER_IPC_NS} || readlink('/proc/1/ns/ipc');
    my $self = readlink('/proc/self/ns/ipc');
    return defined $outer && defined $self && $outer ne $self;
}

sub run_scenario {
    my ($sc) = @_;
    my (%env, @restore);
    my $ok = eval {
        for my $step (@{$sc->{steps}}) {
            if (exists $step->{sysctl}) {
                die "SKIP sysctl steps run only in a private IPC namespace (unshare --ipc)\n"
                    unless private_ipc_namespace();
                (my $path = "/proc/sys/$step->{sysctl}") =~ tr{.}{/};
                open my $in, '<', $path or die "FAIL $path: $!\n";
                push @restore, [$path, do { local $/; <$in> }];
                open my $out, '>', $path or die "FAIL $path: $!\n";
                print {$out} $step->{value};
                close $out or die "FAIL $path: $!\n";
            } elsif (exists $step->{as_user} || $step->{child}) {
                in_child($step, \%env);
            } else {
                check_step($step, \%env);
            }
        }
        1;
    };
    my $err = $@;
    for my $step (@{$sc->{cleanup} || []}) {
        eval { perform($step, \%env) };    # cleanup never fails a scenario
    }
    for my $r (reverse @restore) {
        open my $out, '>', $r->[0] or next;
        print {$out} $r->[1];
        close $out;
    }
    return $ok ? undef : $err;
}

# ---------------------------------------------------------------------------
# Collection and counting.
# ---------------------------------------------------------------------------
my @scenarios;
for my $file (sort glob("$DIR/*.json")) {
    open my $fh, '<', $file or die "$file: $!";
    push @scenarios, @{JSON::PP->new->decode(do { local $/; <$fh> })->{scenarios}};
}
my %count = (total => scalar @scenarios, executed => 0, passed => 0, not_applicable => 0);

sub not_applicable {
    my ($sc) = @_;
    if ($sc->{only} && !grep { $_ eq $LANG } @{$sc->{only}}) {
        return "only for " . join(', ', @{$sc->{only}}) . ": $sc->{reason}";
    }
    return $sc->{skip} ? $sc->{skip}{$LANG} : undef;
}

for my $sc (@scenarios) {
    subtest $sc->{name} => sub {
        if (my $reason = not_applicable($sc)) {
            $count{not_applicable}++;
            plan skip_all => "not applicable to perl: $reason";
        }
        $count{executed}++;
        my $err = run_scenario($sc);
        if (defined $err && $err =~ /^SKIP (.*)/s) {
            plan skip_all => $1;
        }
        $err =~ s/^FAIL // if defined $err;
        ok(!defined $err, $sc->{doc}) or diag($err);
        $count{passed}++ unless defined $err;
    };
}

my $line = sprintf "corpus perl: total=%d executed=%d passed=%d not_applicable=%d",
    @count{qw(total executed passed not_applicable)};
diag($line);
if ($ENV{POLYIPC_CORPUS_REPORT}) {
    open my $fh, '>', $ENV{POLYIPC_CORPUS_REPORT} or die "$ENV{POLYIPC_CORPUS_REPORT}: $!";
    print {$fh} "$line\n";
    close $fh;
}
done_testing();
