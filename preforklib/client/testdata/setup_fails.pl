#!/usr/bin/perl
# Fails during initialisation, before prefork_initialisation_complete: the
# client must end as setup ended. What setup prints on stdout reaches the
# client's stderr.
print "setup stdout\n";
print STDERR "setup stderr\n";
exit 5;
