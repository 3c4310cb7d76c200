-- Call screening, "press 1 to accept" (a shipped example, issue 18). Put it on a dial plan route
-- of type "script" for the numbers to screen, or a trigger at "attempted" with their prefix. The
-- caller is answered and asked to hold; the callee's phone rings through the dial plan; the
-- caller is connected when the callee answers. To screen by a key, pair it with an answering
-- script on the callee side; here the screen is the caller's own: press 1 to go on, anything
-- else (or silence) ends the call, which stops robocallers that never press a key.
if not call.answer() then return end
local info = call.info()
local key = call.collect{ prompt = { "please-hold", { silence = 200 }, "enter-extension" }, max = 1, timeout = 6 }
if key == nil then return end
if key ~= "1" then
  log.info("screening: " .. info.caller .. " did not press 1 (" .. key .. "), call ended")
  call.play("goodbye")
  return call.hangup()
end
local result = call.connect(info.argument ~= "" and info.argument or info.called)
if not result.answered and call.state() == "answered" then
  call.play("not-available")
end
