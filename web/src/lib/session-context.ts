import { createContext, useContext } from "react";
import type { Session } from "./session";

export const SessionContext = createContext<Session & { signOut: () => void }>({
  token: null,
  role: null,
  signOut: () => {},
});
export const useSession = () => useContext(SessionContext);
