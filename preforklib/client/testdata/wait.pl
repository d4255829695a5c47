#!/usr/bin/perl
# A Proc::Prefork::Interp script that says "waiting", reads stdin to end
# of file, then says "done" and exits 0. For the signal tests: the Perl
# server offers no signal forwarding, so the client must behave as v1.
use strict;
use warnings;
use IO::Handle;
use POSIX ();
use Proc::Prefork::Interp;

prefork_initialisation_complete();

print "waiting\n";
STDOUT->flush;
my $stdin = do { local $/; <STDIN> } // '';
print "done\n";
STDOUT->flush;
POSIX::_exit(0);
