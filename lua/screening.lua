-- Call screening, "press 1 to be connected" (a shipped example, issue 18). Parley answers, asks
-- the caller to hold and to press 1; a caller that presses 1 is connected, one that presses
-- anything else or nothing (a robocaller, a fax) hears "goodbye". As a trigger at "attempted" on
-- the prefix of the numbers to screen, the call then goes to the number dialled; as a dial plan
-- route of type "script", to TO, or else to the routed number (give the route a transition to
-- the real destination, so that it does not come back here).
local TO = nil                          -- e.g. "101"; nil = as above

if not call.answer() then return end
local info = call.info()
local key = call.collect{ prompt = "press-1-to-connect", max = 1, timeout = 6 }
if key == nil then return end
if key ~= "1" then
  log.info("screening: " .. info.caller .. " did not press 1 ('" .. key .. "'), call ended")
  call.play("goodbye")
  return call.hangup()
end
local to = TO or (info.point == "route" and info.argument or info.called)
local result = call.connect(to)
if not result.answered and call.state() == "answered" then call.play("not-available") end
