export * from './errors.js';
export * from './fits/header.js';
export * from './fits/read.js';
export * from './fits/write.js';
