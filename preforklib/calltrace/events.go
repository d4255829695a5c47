package calltrace

// The events each role records, in the order of a warm call. Their names
// are what luapf-bench trace looks for; keep them stable.

// A client's events.
const (
	ClientStart    = "start"    // client.Main entered: the process has started, its packages initialised
	ClientConnect  = "connect"  // about to connect to the server's socket
	ClientGreeting = "greeting" // the server's greeting read and accepted
	ClientRequest  = "request"  // the request built, to be sent (an early request is built before connecting)
	ClientStatus   = "status"   // the script's wait status read
	ClientExit     = "exit"     // the call done, about to exit (or die of the script's signal)
)

// A server's events.
const (
	ServerAccept   = "accept"   // a connection accepted
	ServerGreeting = "greeting" // the greeting sent
	ServerRequest  = "request"  // the request read
	ServerHanded   = "handed"   // the call handed to an executor
	ServerReport   = "report"   // the executor's exit report read, or its end seen
	ServerStatus   = "status"   // the wait status sent to the client
	ServerReaped   = "reaped"   // the call's executor reaped; detail: its Usage
	ServerExecutor = "executor" // an executor started (for the pool, or for a call that found none); detail: pid=N
	ServerLent     = "lent"     // the listening socket lent to a pooled executor, to accept the next call; detail: pid=N
)

// An executor's events.
const (
	ExecutorStart    = "start"    // executor.Main entered
	ExecutorRestored = "restored" // the snapshot restored: ready for a call
	ExecutorAccept   = "accept"   // it accepted a connection on the server's socket (an accept order)
	ExecutorCall     = "call"     // its call received
	ExecutorScript   = "script"   // the script continues after initialisation_complete
	ExecutorExit     = "exit"     // the script ended; detail: SelfUsage
	ExecutorReported = "reported" // the exit report sent
)
