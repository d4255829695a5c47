print("late module loaded")
return { greeting = function(who) return "hello, " .. who end }
