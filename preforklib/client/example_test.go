package client_test

import (
	"fmt"

	"luapf/preforklib/client"
)

// A client decides how to end from the script's wait status.
func ExampleOutcomeOf() {
	for _, status := range []uint32{3 << 8, 15, 11 | 0x80} {
		out := client.OutcomeOf(status, "script")
		switch {
		case out.Signal != 0:
			fmt.Println("die of", out.Signal)
		case out.Message != "":
			fmt.Printf("say %q, exit %d\n", out.Message, out.Code)
		default:
			fmt.Println("exit", out.Code)
		}
	}
	// Output:
	// exit 3
	// die of terminated
	// say "script killed by signal 11 (SIGSEGV: segmentation fault), core dumped", exit 127
}
