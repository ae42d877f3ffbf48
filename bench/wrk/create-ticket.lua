-- wrk script: POST /api/v1/tickets with a unique, realistic payload per request.
-- Usage: wrk -t2 -c8 -d10s --latency -s create-ticket.lua http://127.0.0.1:5080 -- <write token> <run id>
-- Two requests in three come from a new customer; the third from a customer this thread created before.
-- done() prints a "created=N other=M" line: wrk's own request count includes non-2xx answers.

local threads = {}
local counter = 1

local subjects = {
  "Invoice %d charged twice", "Can't log in since the update", "Where is my order #%d?",
  "Refund for order #%d", "Card declined on invoice %d", "Missing VAT number on invoice %d",
  "Wrong item delivered in order #%d", "Question about the annual plan",
}
local tags = { "billing", "login", "shipping", "refund", "vip", "bug", "sales", "how-to" }
local firsts = { "Maria", "Tom", "Aisha", "Lukas", "Emily", "Hiroshi", "Fatima", "Oliver", "Sofia", "Kwame" }
local lasts = { "Gonzalez", "Becker", "Rahman", "Novak", "Carter", "Tanaka", "Ali", "Smith", "Rossi", "Mensah" }

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1] or error("pass the API token after --")
  run = args[2] or tostring(os.time())
  n = 0
  created = 0
  other = 0
  math.randomseed(id * 7919 + os.time())
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  n = n + 1
  local customer = n
  if n % 3 == 2 and n > 3 then
    customer = math.random(0, math.floor(n / 3) - 1) * 3
  end
  local first = firsts[(customer % #firsts) + 1]
  local last = lasts[(math.floor(customer / #firsts) % #lasts) + 1]
  local number = math.random(1000, 99999)
  local subject = string.format(subjects[math.random(#subjects)], number)
  local picked = {}
  for i = 1, math.random(0, 2) do
    picked[#picked + 1] = '"' .. tags[math.random(#tags)] .. '"'
  end
  local body = string.format(
    '{"subject":"%s","customer":{"email":"%s.%s.%s-%d-%d@load.example","name":"%s %s"},' ..
    '"message":{"text":"Hello,\\n\\nplease look into request %d. It happened again this morning.\\n\\nThanks,\\n%s"},' ..
    '"priority":"normal","tags":[%s]}',
    subject, string.lower(first), string.lower(last), run, id, customer, first, last, number, first, table.concat(picked, ","))
  return wrk.format("POST", "/api/v1/tickets", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if other <= 3 then
      io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    o = o + thread:get("other")
  end
  io.write(string.format("created=%d other=%d seconds=%.2f created_per_second=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    c, o, summary.duration / 1e6, c / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
