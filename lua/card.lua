-- Calling card (prepaid), Parley's shipped script (issue 18). Dial *300* (or a number a trigger
-- or a dial plan route of type "script" sends here): card number, PIN (three tries), the balance
-- spoken, the destination, the minutes it buys announced, then the call through the dial plan.
-- Billing is written ahead: the connect charge and the first increment are debited when the
-- callee answers, and each further increment just before it starts, each debit atomic in the
-- store (card.charge never overspends, even with two calls on one card). So a crash mid-call
-- loses nothing already due. A tone warns a minute before the balance runs out; the call is
-- released when it buys no further increment. The media stays in Parley (anchor = true) for that.
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

-- The cost of each further increment after the first.
local function step_cost(rate)
  return card.cost(rate, rate.first_increment + rate.increment) - card.cost(rate, rate.first_increment)
end

local WARN = 60                         -- seconds before the money runs out: a warning tone

-- From the answer: the connect charge and the first increment, then each increment just before it
-- starts, while the balance pays for it; a tone a minute before it will not, then release.
local function bill(rate)
  local first = rate.connect_charge + card.cost(rate, rate.first_increment)
  if not card.charge(number, first).ok then return call.hangup("max-duration") end
  local start, step, paid, warned = time.now(), step_cost(rate), rate.first_increment, false
  while true do
    -- When the money runs out as things stand: the time paid, and what the balance buys beyond.
    local ends = math.huge
    if step > 0 then ends = paid + math.floor(card.find(number).balance / step + 1e-9) * rate.increment end
    local stop = paid
    if not warned and ends - WARN < stop then stop = ends - WARN end
    local wait = stop - (time.now() - start)
    if wait > 0 and not call.wait(wait) then return end
    if not warned and ends - (time.now() - start) <= WARN then
      warned = true
      if call.play{ tone = "beep", ms = 600 } == nil then return end
    end
    if time.now() - start >= paid - 0.05 then
      if step > 0 and not card.charge(number, step).ok then
        log.info("card " .. number .. ": balance exhausted after " .. paid .. " s")
        return call.hangup("max-duration")
      end
      paid = paid + rate.increment
    end
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
    local result = call.connect(destination, { anchor = true })
    if result.answered then return bill(rate) end
    if call.state() ~= "answered" then return end
    if call.play("call-cannot-be-completed") == nil then return end
  end
end
goodbye("goodbye")
