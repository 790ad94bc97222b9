// The redis-server process helper lives with the local stack, which starts one too.
export * from "@/local/redis/redis-server";
