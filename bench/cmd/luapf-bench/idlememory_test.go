package main

import (
	"strings"
	"testing"
)

func TestParsePrivateKiB(t *testing.T) {
	const rollup = `55d0c0a4e000-7ffd5a5fd000 ---p 00000000 00:00 0                          [rollup]
Rss:              158404 kB
Pss:              151220 kB
Pss_Dirty:        148532 kB
Shared_Clean:       6032 kB
Shared_Dirty:          0 kB
Private_Clean:      3840 kB
Private_Dirty:    148532 kB
Referenced:       158404 kB
Anonymous:        148532 kB
Private_Hugetlb:       0 kB
`
	tests := []struct {
		rollup string
		want   float64
		err    string
	}{
		{rollup, 3840 + 148532, ""},
		{"Rss: 1 kB\n", 0, "no Private_ lines"},
		{"Private_Dirty: lots kB\n", 0, "Private_Dirty: lots kB"},
		{"Private_Dirty: 12 MB\n", 0, "is not NAME: N kB"},
	}
	for _, tt := range tests {
		got, err := parsePrivateKiB(tt.rollup)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parsePrivateKiB(%q) error %v, want one saying %q", tt.rollup, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parsePrivateKiB = %v, %v; want %v", got, err, tt.want)
		}
	}
}
