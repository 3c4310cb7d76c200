-- Calling card (prepaid), Parley's shipped script (issue 18). Dial *300* (or a number a trigger
-- or a dial plan route of type "script" sends here): card number, PIN (three tries), the balance
-- spoken, the destination, the minutes it buys announced, then the call through the dial plan.
-- Billing is written ahead: the connect charge and the first increment are debited when the
-- callee answers, and each further increment just before it starts, each debit atomic in the
-- store (card.charge never overspends, even with two calls on one card). So a crash mid-call
-- loses nothing already due; the call is released when the balance buys no further increment.
local TRIES = 3

if not call.answer() then return end

local function ask(prompt, max)
  return call.collect{ prompt = prompt, max = max, timeout = 10, inter_digit = 5, terminators = "#" }
end

local function goodbye(prompt)
  if prompt then call.play(prompt) end
  call.hangup()
end

-- The card and its PIN.
local number, found
for _ = 1, TRIES do
  number = ask("enter-card-number", 20)
  if number == nil then return end
  found = number ~= "" and card.find(number) or nil
  if found and found.enabled and not found.expired then break end
  found = nil
  if call.play("card-invalid") == nil then return end
end
if not found then return goodbye("goodbye") end

local pin_ok = false
for _ = 1, TRIES do
  local pin = ask("enter-pin", 12)
  if pin == nil then return end
  if card.check_pin(number, pin) then pin_ok = true break end
  if call.play("card-invalid") == nil then return end
end
if not pin_ok then return goodbye("goodbye") end
log.info("card " .. number .. " signed in, balance " .. found.balance)

-- The cost of each further increment after the first, and how many of them the balance buys.
local function step_cost(rate)
  return card.cost(rate, rate.first_increment + rate.increment) - card.cost(rate, rate.first_increment)
end

local function bill(rate)
  local first = rate.connect_charge + card.cost(rate, rate.first_increment)
  if not card.charge(number, first).ok then return call.hangup("max-duration") end
  local step, paid, talked = step_cost(rate), rate.first_increment, 0
  while true do
    -- Wait until the time paid for runs out; then the next increment is paid, or the call ends.
    if not call.wait(paid - talked) then return end
    talked = paid
    if step > 0 and not card.charge(number, step).ok then
      log.info("card " .. number .. ": balance exhausted after " .. talked .. " s")
      return call.hangup("max-duration")
    end
    paid = paid + rate.increment
  end
end

for _ = 1, TRIES do
  local balance = card.find(number).balance
  if call.play{ "your-balance-is", { amount = balance } } == nil then return end
  local destination = ask("enter-destination", 32)
  if destination == nil then return end
  local rate = destination ~= "" and card.rate(destination) or nil
  if not rate then
    if call.play("invalid-number") == nil then return end
  else
    local seconds = card.seconds_for(rate, balance)
    if seconds <= 0 then return goodbye("insufficient-balance") end
    local minutes = math.floor(seconds / 60)
    if call.play{ "you-can-talk-for", { number = minutes }, minutes == 1 and "word-minute" or "word-minutes" } == nil then
      return
    end
    local result = call.connect(destination, { note = "card=" .. number })
    if result.answered then return bill(rate) end
    if call.state() ~= "answered" then return end
    if call.play("call-cannot-be-completed") == nil then return end
  end
end
goodbye("goodbye")
