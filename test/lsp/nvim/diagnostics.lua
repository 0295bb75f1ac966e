-- Neovim 0.7 as an LSP client of lifetime-language-server (test/lsp/nvim.test.ts runs it):
--   timeout 30 nvim --headless --clean -c 'luafile test/lsp/nvim/diagnostics.lua' </dev/null
-- Opens a sample with a known lint, waits for the diagnostics and prints one line per
-- diagnostic ("DIAG code line source"), then a hover ("HOVER first line"), then "DONE".
-- 0.7 has no vim.lsp.start: start_client + buf_attach_client.

local fixture = os.getenv('LIFETIME_FIXTURE') or 'test/lsp/fixtures/unplug-deadlock.lifetime'
local server = os.getenv('LIFETIME_SERVER') or 'bin/lifetime-language-server.js'

local function out(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local function finish(code)
  pcall(vim.lsp.stop_client, vim.lsp.get_active_clients())
  vim.cmd(code == 0 and 'qa!' or 'cq!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(fixture))
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_option(buf, 'filetype', 'lifetime')

  local client_id = vim.lsp.start_client({
    name = 'lifetime',
    cmd = { 'node', server, '--stdio' },
    root_dir = vim.fn.getcwd(),
    init_options = { explore = { enabled = false } },
  })
  if not client_id then
    out('ERROR start_client failed')
    return finish(1)
  end
  vim.lsp.buf_attach_client(buf, client_id)

  local got = vim.wait(15000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  if not got then
    out('ERROR no diagnostics within 15 s')
    return finish(1)
  end
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
    out(string.format('DIAG %s %d %s', code, d.lnum + 1, d.source or ''))
  end

  -- Hover on the `unplug` keyword of `on remove`.
  local line = 0
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:match('^%s*unplug ') then
      line = i - 1
      break
    end
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = 3 } }
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000)
  for _, r in pairs(res or {}) do
    if r.result and r.result.contents then
      local value = r.result.contents.value or ''
      for l in value:gmatch('[^\n]+') do
        if l:match('^%*%*') then
          out('HOVER ' .. l)
          break
        end
      end
    end
  end
  out('DONE')
  finish(0)
end)
if not ok then
  out('ERROR ' .. tostring(err))
  vim.cmd('cq!')
end
