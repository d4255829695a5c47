module luapf

go 1.26.0

require (
	github.com/fsnotify/fsnotify v1.10.1
	github.com/yuin/gopher-lua v1.1.2
	golang.org/x/sys v0.50.0
)

replace github.com/yuin/gopher-lua => ./third_party/gopher-lua
