# The POD of every public package is well-formed.
use strict;
use warnings;
use Test::More;
use File::Basename qw(dirname);
eval { require Test::Pod; Test::Pod->VERSION(1.22); 1 }
    or plan skip_all => 'Test::Pod 1.22 (Debian: libtest-pod-perl) is required';
require PolyIPC;
my $dir = dirname($INC{'PolyIPC.pm'});
my @files = ("$dir/PolyIPC.pm", "$dir/PolyIPC.pod", glob("$dir/PolyIPC/*.pod"));
cmp_ok(scalar @files, '>=', 6, 'the module and its POD files are installed together');
Test::Pod::pod_file_ok($_) for @files;
done_testing();
