//go:build linux && amd64 && !sigcatch_osignal

#include "textflag.h"

// handler is the action of a caught signal, called by the kernel with the
// C calling convention: the signal number in DI. It writes that number as
// one byte to the pipe ·pipeFD and returns. It runs on the thread's
// alternate signal stack (SA_ONSTACK; the Go runtime gives every thread
// one), touches no Go state, and may clobber any register: the kernel
// restores them all from the signal frame on the way back
// (rt_sigreturn), errno included, since Linux returns errors in AX.
TEXT handler<>(SB), NOSPLIT|NOFRAME, $0
	PUSHQ DI              // the byte to write: the low byte of the number
	MOVL  ·pipeFD(SB), DI // write(pipeFD, SP, 1)
	MOVQ  SP, SI
	MOVL  $1, DX
	MOVL  $1, AX          // SYS_write
	SYSCALL               // a full pipe (EAGAIN) drops the signal
	POPQ  DI
	RET

// restorer is where handler returns to (SA_RESTORER): rt_sigreturn.
TEXT restorer<>(SB), NOSPLIT|NOFRAME, $0
	MOVL $15, AX // SYS_rt_sigreturn
	SYSCALL
	INT  $3      // not reached

// The addresses of the two, for the struct sigaction (catch_raw.go).
DATA ·handlerPC+0(SB)/8, $handler<>(SB)
GLOBL ·handlerPC(SB), RODATA, $8
DATA ·restorerPC+0(SB)/8, $restorer<>(SB)
GLOBL ·restorerPC(SB), RODATA, $8
