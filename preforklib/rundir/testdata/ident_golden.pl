#!/usr/bin/perl
# Computes the ident golden vectors of ident_test.go independently of the
# Go code: the byte layout of docs/protocol.md (and of the C client) built
# with pack, for a fixed host (utsname, cwd and / device and inode numbers)
# on a little-endian 64-bit machine. Run: perl testdata/ident_golden.pl
use strict; use Digest::SHA qw(sha256_hex);
my $uts = join '', map { pack 'a65', $_ } ("Linux","testhost","6.1.0-test","#1 SMP PREEMPT_DYNAMIC","x86_64","(none)");
die unless length($uts) == 390;
my $base = "\x01" . 'u' . pack('Q<', 390) . 'u' . $uts
  . '.' . pack('Q<', 2049) . 'i' . pack('Q<', 123456)
  . '/' . pack('Q<', 2049) . 'i' . pack('Q<', 2);
sub s_ { my ($k,$s)=@_; "$k$s\0" }
sub E { my ($n,$v)=@_; s_('E',$n) . (defined $v ? s_('v',$v) : "\0") }
sub G { s_('G', $_[0]) }
my %cases = (
  plain      => s_('i','/usr/bin/luapf') . s_('s','hello.lua'),
  env_set    => E('HOME','/home/u') . s_('i','/usr/bin/luapf') . s_('s','hello.lua'),
  env_unset  => E('HOME',undef) . s_('i','/usr/bin/luapf') . s_('s','hello.lua'),
  g_ab       => G('a') . G('b') . s_('i','/usr/bin/luapf') . s_('s','hello.lua'),
  g_ba       => G('b') . G('a') . s_('i','/usr/bin/luapf') . s_('s','hello.lua'),
  mixed      => E('X',undef) . G('a') . E('Y','') . s_('i','/usr/bin/luapf') . s_('s','hello.lua'),
  no_script  => s_('i','perl'),
  interp_arg => s_('i','perl') . s_('i','-w') . s_('s','s.pl'),
);
for my $k (sort keys %cases) { print "$k ", sha256_hex($base . $cases{$k}), "\n"; }
