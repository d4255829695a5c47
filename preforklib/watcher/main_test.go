package watcher

import (
	"os"
	"testing"

	"luapf/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }
