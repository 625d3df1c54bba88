// Entry point of the language server: `node dist/server.js --stdio`.
export {};
