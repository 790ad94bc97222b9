import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * `zod/mini` loads no locale, so every issue would read "Invalid input". The
 * job route answers a malformed job with the schema's complaints, and those
 * must say what is wrong ("Too small: expected string to have >=1 characters"),
 * so the English messages are loaded once here, by every module that parses.
 * Classic `zod` (the app's forms) sets the same messages on the same shared config.
 */
config(en());
