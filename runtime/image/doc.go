// Package image is what setup hands the server and every executor: the
// captured Lua state (runtime/snapshot's bytes) and what the server needs
// to know about the script (Meta: options, the files and environment the
// initialisation depends on, the autoreload reference time). Setup writes
// it into a memfd sealed against any change (WriteSealed); the server and
// each executor inherit the memfd and map it read-only (Map), so all share
// one copy that no process can alter.
package image
