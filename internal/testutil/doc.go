// Package testutil holds what luapf's integration tests share: building the
// real luapf binary once per test process, and a Sandbox that gives each test
// its own HOME (and so its own run directory and servers) and makes sure no
// process started under it outlives the test.
package testutil
