// Models by name, for the CLI and checkHistory("etcd" | "register" | "kv").
import type { ModelName } from "../history";
import type { Model } from "../model";
import { etcdModel } from "./etcd";
import { kvModel } from "./kv";
import { registerModel } from "./register";

export function modelByName(name: ModelName): Model<unknown, unknown, unknown> {
  switch (name) {
    case "etcd":
      return etcdModel as unknown as Model<unknown, unknown, unknown>;
    case "register":
      return registerModel as unknown as Model<unknown, unknown, unknown>;
    case "kv":
      return kvModel as unknown as Model<unknown, unknown, unknown>;
  }
}
