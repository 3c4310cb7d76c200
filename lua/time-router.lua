-- Time-of-day router (a shipped example, issue 18). As a dial plan route of type "script": in
-- office hours the call goes to DAY, outside them to NIGHT. As a trigger at "attempted" on a
-- prefix: in office hours the call goes on as dialled, outside them to NIGHT. It never answers
-- the call. Edit the settings below (or copy the script under another name).
local OPEN, CLOSE = "09:00", "17:00"    -- office hours, from OPEN up to CLOSE
local WORKDAYS = { [2] = true, [3] = true, [4] = true, [5] = true, [6] = true }  -- 1 = Sunday
local ZONE = nil                        -- an IANA zone such as "Europe/London"; nil = the server's
local DAY, NIGHT = "101", "102"

local info = call.info()
local open = WORKDAYS[time.weekday(ZONE)] and time.is_between(OPEN, CLOSE, ZONE)
if open then
  if info.point == "route" then call.route(DAY) else call.proceed() end
else
  log.info("time-router: closed, " .. info.called .. " goes to " .. NIGHT)
  call.route(NIGHT)
end
