package server_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"luapf/internal/testutil"
)

// TestScriptSpellingsShareServer: s.lua, ./s.lua, $PWD/s.lua and
// ././s.lua from one directory are one script: one server, one
// initialisation, which sees the spawning call's arg[0], as a cold run of
// that call would; each call sees its own.
func TestScriptSpellingsShareServer(t *testing.T) {
	l := newLuapf(t)
	dir := copyScripts(t, "test/arg0.lua")
	spellings := []string{"arg0.lua", "./arg0.lua", filepath.Join(dir, "arg0.lua"), "././arg0.lua"}
	for i, s := range spellings {
		cmd := l.command(s)
		cmd.Dir = dir
		cmd.Env = append(cmd.Env, "PWD="+dir)
		res := testutil.Run(t, cmd, "")
		wantStderr := ""
		if i == 0 {
			wantStderr = "initialisation: arg[0] arg0.lua\n"
		}
		wantStdout := fmt.Sprintf("call: arg[0] %s, initialisation's arg0.lua\n", s)
		if res.Code != 0 || res.Stdout != wantStdout || res.Stderr != wantStderr {
			t.Errorf("call %d (%s): %+v; want stdout %q, stderr %q", i, s, res, wantStdout, wantStderr)
		}
	}
	l.onlyPid(l.servers(), "server")
}
