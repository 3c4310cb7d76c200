-- Time-of-day router (a shipped example, issue 18): in office hours the call goes on to the number
-- dialled (or the route's number); outside them to the night number, stored in this script's
-- key-value store (`kv.set("night", "102")` from another run, or the default below). Works at a
-- trigger on "attempted" or as a dial plan route of type "script": it never answers the call.
local OPEN, CLOSE = "09:00", "17:00"
local night = kv.get("night") or "102"
local day = time.weekday()            -- 1 = Sunday ... 7 = Saturday
local workday = day >= 2 and day <= 6
local info = call.info()
local number = info.argument ~= "" and info.argument or info.called
if workday and time.is_between(OPEN, CLOSE) then
  if info.point == "route" then call.route(number) else call.proceed() end
else
  log.info("time-router: closed, " .. info.called .. " goes to " .. night)
  call.route(night)
end
