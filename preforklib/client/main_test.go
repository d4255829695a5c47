package client

import (
	"os"
	"testing"

	"luapf/internal/testutil"
)

func TestMain(m *testing.M) {
	// Re-executed as a helper by exitstatus_test.go.
	if status, ok := os.LookupEnv(envPropagateHelper); ok {
		os.Exit(propagateHelper(status))
	}
	os.Exit(testutil.Main(m))
}
