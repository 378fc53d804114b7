-- Headless Neovim (Debian's 0.7 package and later): start secreview's language server with the
-- built-in client, attach it to the current buffer, wait for diagnostics, write them as JSON.
local out = vim.env.SECREVIEW_NVIM_OUT
local bufnr = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'secreview',
  cmd = { vim.env.SECREVIEW_NODE, vim.env.SECREVIEW_BIN, 'lsp', '--stdio' },
  root_dir = vim.fn.getcwd(),
  init_options = { cache = false },
})
vim.lsp.buf_attach_client(bufnr, id)
local ok = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 100)
local result = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(result, { lnum = d.lnum, col = d.col, end_col = d.end_col, code = d.code, source = d.source, message = d.message })
end
vim.fn.writefile({ vim.fn.json_encode({ ok = ok, diagnostics = result }) }, out)
vim.cmd('qa!')
