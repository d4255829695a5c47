package lua

// luapf: math.random and math.randomseed as Lua 5.1 on glibc computes them,
// so that a seeded script draws the numbers lua5.1 draws. Lua 5.1 uses C's
// rand(), which glibc implements as random(3)'s additive feedback generator
// (TYPE_3: 31 words, separation 3), seeded by srand as srandom(seed) and
// initially as with seed 1.
//
// The generator's state is a Lua table shared as the upvalue of both
// functions, not Go memory, so that whatever carries a Lua state (luapf's
// snapshots) carries the sequence too: a warm call draws what a cold run
// draws at the same point.

import "math"

const (
	randDeg    = 31 // words of state
	randSep    = 3  // distance between the two words combined
	randMax    = 2147483647
	randFrontK = randDeg + 1 // table index of the front index
	randRearK  = randDeg + 2 // table index of the rear index
)

// newRandomState returns the state table seeded as a C program starts.
func newRandomState() *LTable {
	t := newLTable(randDeg+2, 0)
	randSeed(t, 1)
	return t
}

// randSeed is glibc's srandom_r for TYPE_3.
func randSeed(t *LTable, seed uint32) {
	if seed == 0 {
		seed = 1
	}
	word := int32(seed)
	t.RawSetInt(1, LNumber(word))
	for i := 1; i < randDeg; i++ {
		hi, lo := int64(word)/127773, int64(word)%127773
		w := 16807*lo - 2836*hi
		if w < 0 {
			w += 2147483647
		}
		word = int32(w)
		t.RawSetInt(i+1, LNumber(word))
	}
	t.RawSetInt(randFrontK, LNumber(randSep))
	t.RawSetInt(randRearK, LNumber(0))
	for i := 0; i < 10*randDeg; i++ {
		randNext(t)
	}
}

// randNext is glibc's random_r for TYPE_3: a number in [0, 2^31).
func randNext(t *LTable) int32 {
	front, rear := int(t.RawGetInt(randFrontK).(LNumber)), int(t.RawGetInt(randRearK).(LNumber))
	val := uint32(int32(t.RawGetInt(front+1).(LNumber))) + uint32(int32(t.RawGetInt(rear+1).(LNumber)))
	t.RawSetInt(front+1, LNumber(int32(val)))
	front++
	rear++
	if front >= randDeg {
		front = 0
	} else if rear >= randDeg {
		rear = 0
	}
	t.RawSetInt(randFrontK, LNumber(front))
	t.RawSetInt(randRearK, LNumber(rear))
	return int32(val >> 1)
}

// checkCInt is luaL_checkint: the number converted to lua_Integer (64
// bits, truncating) and then to a C int.
func checkCInt(L *LState, n int) int32 {
	return int32(int64(L.CheckNumber(n)))
}

func mathRandom51(L *LState) int {
	state := L.CheckTable(UpvalueIndex(1))
	r := float64(randNext(state)%randMax) / randMax
	switch L.GetTop() {
	case 0:
		L.Push(LNumber(r))
	case 1:
		u := checkCInt(L, 1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l, u := checkCInt(L, 1), checkCInt(L, 2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(LNumber(math.Floor(r*float64(int64(u)-int64(l)+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func mathRandomseed51(L *LState) int {
	randSeed(L.CheckTable(UpvalueIndex(1)), uint32(checkCInt(L, 1)))
	return 0
}
