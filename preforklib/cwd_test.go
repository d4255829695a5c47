package preforklib

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
)

// TestRequestCarriesWorkingDir sends a request with FeatureCwd over a real
// socket pair: the receiver gets a descriptor of the sender's working
// directory, even one it may only search (mode 0111), and Chdir makes it
// the receiver's.
func TestRequestCarriesWorkingDir(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	dir := filepath.Join(t.TempDir(), "search-only")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "marker"), []byte("here"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o111); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	t.Chdir(dir)
	cwd, err := OpenWorkingDir()
	if err != nil {
		t.Fatal(err)
	}
	defer cwd.Close()
	t.Chdir("/")

	client, server := connPair(t)
	req := &Request{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: []string{"A=1"}, Argv: []string{"luapf", "x.lua"},
		Ext: Extension{FeatureCwd: "", FeatureSignals: ""}, Cwd: cwd}
	errc := make(chan error, 1)
	go func() { errc <- WriteRequest(client, req) }()
	got, err := ReadRequest(server, true)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got.Cwd == nil {
		t.Fatal("no working directory received")
	}
	if err := Chdir(got.Cwd); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile("marker"); err != nil || string(data) != "here" {
		t.Errorf("after Chdir, marker reads %q, %v; want the sender's directory", data, err)
	}
}

// TestWriteRequestCwdMismatch: a working directory goes with FeatureCwd in
// the block and never without it.
func TestWriteRequestCwdMismatch(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	client, _ := connPair(t)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for _, req := range []*Request{
		{Ext: Extension{FeatureCwd: ""}},
		{Ext: Extension{}, Cwd: devNull},
		{Cwd: devNull},
	} {
		req.Stdin, req.Stdout, req.Stderr, req.Argv = devNull, devNull, devNull, []string{"luapf", "x.lua"}
		if err := WriteRequest(client, req); err == nil || !strings.Contains(err.Error(), FeatureCwd) {
			t.Errorf("WriteRequest with ext %v and cwd %v: %v", req.Ext, req.Cwd != nil, err)
		}
	}
}

// TestChdirNotADirectory: Chdir says what it could not change to.
func TestChdirNotADirectory(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Chdir(f); err == nil || !strings.Contains(err.Error(), os.DevNull) || !strings.Contains(err.Error(), unix.ENOTDIR.Error()) {
		t.Errorf("Chdir(/dev/null) = %v", err)
	}
}
