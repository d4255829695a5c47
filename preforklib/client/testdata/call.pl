#!/usr/bin/perl
# A Proc::Prefork::Interp script for the interop tests, run as
#   prefork-interp -U perl call.pl EXIT [ARGS...]
# Each call reports what it was given on stdout (argv, $LUAPF_TEST_VAR, the
# server's session id, stdin upper-cased), a line on stderr, and exits with
# EXIT. "call.pl kill SIGNAL" dies of SIGNAL instead.
#
# Calls end with POSIX::_exit after flushing: the Perl library's monitor
# can see a normal exit as SIGINT (docs/protocol.md, defects of the peers).
use strict;
use warnings;
use IO::Handle;
use POSIX ();
use Proc::Prefork::Interp;

prefork_initialisation_complete();

# Under prefork-interp @ARGV is (interpreter, script, arguments).
my (undef, undef, $what, @args) = @ARGV;
if ($what eq 'kill') {
    kill $args[0], $$;
    sleep 60;
    POSIX::_exit(99);
}
my $stdin = do { local $/; <STDIN> } // '';
print "argv=", join("|", @ARGV), "\n";
print "env=", $ENV{LUAPF_TEST_VAR} // '(unset)', "\n";
print "server=", session_id(), "\n";
print "stdin=", uc $stdin, "\n";
print STDERR "stderr ", join("|", @args), "\n";
STDOUT->flush;
STDERR->flush;
POSIX::_exit($what);

# The server is a session leader: its pid is every call's session id.
sub session_id {
    open my $f, '<', '/proc/self/stat' or die "open /proc/self/stat: $!";
    my ($rest) = <$f> =~ /\) (.*)/;
    return (split ' ', $rest)[3];
}
