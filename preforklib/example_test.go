package preforklib_test

import (
	"fmt"

	"luapf/preforklib"
)

// A server's setup process reads PREFORK_INTERP to find the descriptors
// the client gave it.
func ExampleParseSetupEnv() {
	env, err := preforklib.ParseSetupEnv("v1,1700000000.000000123 3,4,5,6")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("listen on", env.Listen, "initial call on", env.Call)
	fmt.Println("watcher pipes", env.WatchIn, env.WatchErr)
	fmt.Println("autoreload if newer than", env.Mtime().UTC().Format("2006-01-02 15:04:05.000000000"))
	_, err = preforklib.ParseSetupEnv("v2,1 3,4,5,6")
	fmt.Println(err)
	// Output:
	// listen on 3 initial call on 4
	// watcher pipes 5 6
	// autoreload if newer than 2023-11-14 22:13:20.000000123
	// parse PREFORK_INTERP "v2,1 3,4,5,6": protocol version "v2" is not v1: the client and this interpreter are incompatible
}

// The request message carries the caller's environment and argv.
func ExampleEncodeMessage() {
	msg, _ := preforklib.EncodeMessage([]string{"LANG=C"}, []string{"/usr/bin/luapf", "hello.lua", "world"})
	fmt.Printf("%q\n", msg)
	env, argv, _ := preforklib.DecodeMessage(msg)
	fmt.Println(env, argv)
	// Output:
	// "LANG=C\x00\x00/usr/bin/luapf\x00hello.lua\x00world\x00"
	// [LANG=C] [/usr/bin/luapf hello.lua world]
}
