// Entry module for signed-in pages: opens the socket; page modules import what they need.
import { socket } from "./socket.js";
import "./chat-badge.js";
import "./social-badge.js";
import "./notifications-badge.js";
import "./session-ended.js";
import "./call-ring.js";
import "./confirm.js";

socket.start();
window.beseda = { socket };
