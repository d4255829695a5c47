// Command gohello prints a greeting and exits: the cost of starting any Go
// binary, the floor under every luapf call (the benchmark harness's Go
// floor contender).
package main

import "os"

func main() {
	greeting := "world"
	if len(os.Args) > 1 {
		greeting = os.Args[1]
	}
	os.Stdout.WriteString("Hello, " + greeting + "!\n")
}
