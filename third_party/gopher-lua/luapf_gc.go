package lua

// luapf: collectgarbage and gcinfo with Lua 5.1's options and answers, from
// Go's collector: "count" is the heap in use in kilobytes; the collector
// cannot be stopped, so "stop" and "restart" only answer; "setpause" and
// "setstepmul" keep their values (in the registry) and return the old
// ones.

import (
	"runtime"
)

const registryGC = "_LUAPF_GC"

func heapKB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / 1024
}

func baseCollectGarbage51(L *LState) int {
	opt := L.optString51(1, "collect")
	ex := int(checkCInt51Opt(L, 2, 0))
	switch opt {
	case "stop", "restart":
		L.Push(LNumber(0))
	case "collect":
		runtime.GC()
		L.Push(LNumber(0))
	case "count":
		L.Push(LNumber(heapKB()))
	case "step":
		runtime.GC()
		L.Push(LTrue)
	case "setpause", "setstepmul":
		settings, ok := L.G.Registry.RawGetString(registryGC).(*LTable)
		if !ok {
			settings = L.NewTable()
			settings.RawSetString("setpause", LNumber(200))
			settings.RawSetString("setstepmul", LNumber(200))
			L.G.Registry.RawSetString(registryGC, settings)
		}
		L.Push(settings.RawGetString(opt))
		settings.RawSetString(opt, LNumber(ex))
	default:
		L.ArgError(1, "invalid option '"+opt+"'")
	}
	return 1
}

func baseGcInfo51(L *LState) int {
	L.Push(LNumber(int(heapKB())))
	return 1
}
