package testutil

import (
	"os"
	"testing"
)

// ExpectDirMode fails the test unless path is a directory with permissions want.
func ExpectDirMode(t testing.TB, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm() != want {
		t.Errorf("%s has mode %v, want a directory with %v", path, fi.Mode(), want)
	}
}
