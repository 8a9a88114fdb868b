(* OvirtDefaults: /etc/default/ovirt, the node's settings file.
   Only what this file holds: comments, blank lines and `[export] KEY=value` lines whose value
   is one shell word (double- or single-quoted parts and plain characters), stored as written
   (quotes included), with an optional trailing comment. Any other line is kept verbatim as a
   "#unparsed" node, so one garbage line never makes the whole file unreadable and is written
   back untouched. Shellvars parses whole shell scripts (if, case, functions): its lens costs
   several times more to build than this file needs (see `make bench`). *)
module OvirtDefaults =
  let eol = Util.doseol
  let key_re = /[A-Za-z_][A-Za-z0-9_]*/ - "export"
  let dquoted = /"([^"\\\n]|\\\\.)*"/
  let squoted = /'[^'\n]*'/
  let plain = /([^ \t\n"'`$;&|()<>#\\]#*|\\\\.)/
  let word = (dquoted | squoted | plain)+
  let export = [ key "export" . Util.del_ws_spc ]
  let trailing = Util.comment_generic_seteol /[ \t]+#[ \t]*/ " # " eol
  let entry = [ Util.indent . export? . key key_re . Util.del_str "=" . (store word)? . (eol | trailing) ]
  let unparsed = [ Util.indent . label "#unparsed" . store /[^# \t\n][^\n]*/ . eol ]
  let lns = (Util.empty | Util.comment | entry | unparsed)*
