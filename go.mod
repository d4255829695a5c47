module luapf

go 1.26
