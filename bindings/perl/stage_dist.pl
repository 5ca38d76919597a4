# stage_dist.pl DISTDIR ROOT — populates the PolyIPC distribution directory
# from a source checkout (run by `make dist` / `make disttest`, see
# Makefile.PL; never shipped). Run in bindings/perl after SWIG has made
# PolyIPC_wrap.c and PolyIPC.pm there. The distribution holds:
#   Makefile.PL, lib/**/*.pod and *.pm, PolyIPC.pm, PolyIPC_wrap.c   (this directory)
#   VERSION, LICENSE                                        (ROOT)
#   Changes                                                 (ROOT/CHANGELOG.md)
#   README                                                  (install steps + PolyIPC.pod as text)
#   core/build.json and what it names: the sources, the headers beside
#     them, the include_dirs' headers, the version header template
#   t/*.t, t/lib/ (tests/perl), corpus/*.json (tests/corpus; t/corpus.t
#     reads ../corpus), nocrash/cases.json (tests/nocrash; t/70-no-crash.t
#     reads ../nocrash)
#   MANIFEST (every file above; MakeMaker adds META.json and META.yml)
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Find ();
use File::Path qw(make_path);
use JSON::PP ();
use Pod::Text ();

my ($dist, $root) = @ARGV;
die "usage: stage_dist.pl DISTDIR ROOT\n" unless defined $root && -f "$root/core/build.json";
die "stage_dist.pl: $dist exists\n" if -e $dist;

my @files;
sub put {    # put(destination relative to the dist, source path)
    my ($rel, $src) = @_;
    die "stage_dist.pl: $src is missing\n" unless -f $src;
    make_path(dirname("$dist/$rel"));
    copy($src, "$dist/$rel") or die "stage_dist.pl: $src -> $dist/$rel: $!\n";
    chmod((stat $src)[2] & 07777, "$dist/$rel");
    push @files, $rel;
}
sub write_file {
    my ($rel, $text) = @_;
    make_path(dirname("$dist/$rel"));
    open my $fh, '>', "$dist/$rel" or die "stage_dist.pl: $dist/$rel: $!\n";
    print $fh $text;
    close $fh or die "stage_dist.pl: $dist/$rel: $!\n";
    push @files, $rel;
}
sub slurp {
    my ($path) = @_;
    open my $fh, '<', $path or die "stage_dist.pl: $path: $!\n";
    local $/;
    return scalar <$fh>;
}
sub tree {    # every file below $dir, relative to it
    my ($dir) = @_;
    my @found;
    File::Find::find({ no_chdir => 1, wanted => sub { push @found, s{^\Q$dir\E/}{}r if -f } }, $dir);
    return sort @found;
}

put($_, $_) for 'Makefile.PL', 'PolyIPC.pm', 'PolyIPC_wrap.c', map { "lib/$_" } grep { /\.p(?:od|m)\z/ } tree('lib');
put($_, "$root/$_") for qw(VERSION LICENSE);
put('Changes', "$root/CHANGELOG.md");

my $build = JSON::PP->new->decode(slurp("$root/core/build.json"));
my %core = ('build.json' => 1, $build->{version_header}{template} => 1);
for my $src (@{ $build->{sources} }) {
    $core{$src} = 1;
    my $dir = dirname($src);
    $core{"$dir/$_"} = 1 for grep { /\.h\z/ } tree("$root/core/$dir");
}
for my $inc (@{ $build->{include_dirs} }) {
    $core{"$inc/$_"} = 1 for grep { /\.h\z/ } tree("$root/core/$inc");
}
put("core/$_", "$root/core/$_") for sort keys %core;

for my $t (tree("$root/tests/perl")) {
    next unless $t =~ /\.t\z/ || $t =~ m{^lib/};
    put("t/$t", "$root/tests/perl/$t");
}
put("corpus/$_", "$root/tests/corpus/$_") for grep { /\.json\z/ || $_ eq 'SCHEMA.md' } tree("$root/tests/corpus");
put("nocrash/$_", "$root/tests/nocrash/$_") for qw(cases.json SCHEMA.md);    # t/70-no-crash.t reads ../nocrash

(my $version = slurp("$root/VERSION")) =~ s/\s+\z//;
my $pod_text;
my $parser = Pod::Text->new(width => 76);
$parser->output_string(\$pod_text);
$parser->parse_file('lib/PolyIPC.pod');
write_file('README', <<"README" . $pod_text);
PolyIPC $version

System V semaphores, shared memory and message queues for Perl, from the
C core polyipc shares with its Python and Ruby modules.

INSTALLATION

Needs Linux, a C compiler and the Perl headers (Debian: build-essential
libperl-dev); SWIG is not needed (the wrapper is included):

    perl Makefile.PL
    make
    make test
    make install

After installing, "man PolyIPC" (and PolyIPC::Semaphore, PolyIPC::SemaphoreSet,
PolyIPC::SharedMemory, PolyIPC::MessageQueue, PolyIPC::Error) documents the API.

README

write_file('MANIFEST', join '', map { "$_\n" } sort(@files, 'MANIFEST'));
