import { createContext, useContext } from "react";
import { grantOf, type Permission, type Viewer } from "./session";

export interface SessionValue {
  token: string | null;
  viewer: Viewer | null;
  /** Whether the viewer's role may do what `p` covers (from the server's `viewer.permissions`). */
  can: (p: Permission) => boolean;
  /** Why not, in words for a disabled control's title (the server's reason); "" when allowed. */
  whyNot: (p: Permission) => string;
  signOut: () => void;
}

export function sessionValue(token: string | null, viewer: Viewer | null, signOut: () => void): SessionValue {
  return {
    token,
    viewer,
    can: (p) => grantOf(viewer, p).allowed,
    whyNot: (p) => grantOf(viewer, p).reason,
    signOut,
  };
}

export const SessionContext = createContext<SessionValue>(sessionValue(null, null, () => {}));
export const useSession = () => useContext(SessionContext);
