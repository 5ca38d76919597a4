#!/usr/bin/env bash
# The demo: one message queue, three languages. Python creates a queue with a
# random key and sends a binary message; Ruby receives it and passes it on with
# a new type; Perl receives that, prints it, and removes the queue.
# Usage: demo/demo.sh BUILD_DIR   (./run demo builds first)
set -euo pipefail
B=${1:?build dir}
export PYTHONPATH=$B/bindings/python/lib
RUBYLIB=$B/bindings/ruby/lib:$(dirname "$0")/../bindings/ruby/lib
PERL5LIB=$B/bindings/perl/lib
export RUBYLIB PERL5LIB

key=$(/usr/bin/python3 -c '
import polyipc
q = polyipc.MessageQueue(None, polyipc.IPC_CREX)
q.send(b"hello \x00 from Python", True, 1)
print(q.key)')
echo "Python: created queue key=$key and sent 1 message"
trap 'perl -MPolyIPC -e "PolyIPC::MessageQueue->new($key)->remove" 2>/dev/null || true' EXIT

ruby -rpolyipc -e '
q = PolyIPC::MessageQueue.new(Integer(ARGV[0]))
data, type = q.receive
puts "Ruby:   received #{data.bytesize} bytes of type #{type}; forwarding as type 2"
q.send(data + " via Ruby".b, true, 2)' "$key"

perl -MPolyIPC -e '
my $q = PolyIPC::MessageQueue->new($ARGV[0]);
my ($data, $type) = @{ $q->receive(1, 2) };
(my $shown = $data) =~ s/\0/\\0/g;
print "Perl:   received type $type: \"$shown\"\n";
$q->remove;
print "Perl:   removed the queue\n";' "$key"
trap - EXIT
