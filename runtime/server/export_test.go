package server

// IdleTrimDelay is idleTrimDelay, for the soak's reading of an idle
// server's memory (load_test.go).
const IdleTrimDelay = idleTrimDelay
