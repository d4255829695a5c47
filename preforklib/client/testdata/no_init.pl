#!/usr/bin/perl
# Ends without calling prefork_initialisation_complete, so no server ever
# answers the client's initial call.
exit 0;
