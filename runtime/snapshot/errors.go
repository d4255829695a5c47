package snapshot

import "fmt"

// CarryError reports a value that cannot travel from the setup process to an
// executor: an open file, a coroutine, a channel, a userdata or a Go
// function made at run time. Path says where it was found, the way a user
// would reach it (for example "global 'db'.conn").
type CarryError struct {
	Path string // where the value was found
	Type string // what it is: "userdata", "open file", "coroutine", ...
	Hint string // what to do instead
}

func (e *CarryError) Error() string {
	return fmt.Sprintf("cannot carry %s (%s) across initialisation_complete: %s", e.Path, e.Type, e.Hint)
}

// PlacementError reports a capture requested from somewhere other than a
// statement of the script's main chunk: the continuation can only resume
// there.
type PlacementError struct {
	Where string // where it was called from
}

func (e *PlacementError) Error() string {
	return fmt.Sprintf("initialisation_complete was called %s; call it as a statement in the script's main chunk, e.g. prefork.initialisation_complete()", e.Where)
}
