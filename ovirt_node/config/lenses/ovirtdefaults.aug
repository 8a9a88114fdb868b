(* OvirtDefaults: /etc/default/ovirt, the node's settings file.
   Shellvars lines, plus any line Shellvars cannot parse kept verbatim as a
   "#unparsed" node, so one garbage line never makes the whole file unreadable
   and is written back untouched. *)
module OvirtDefaults =
  let unparsed = [ label "#unparsed" . store /[^# \t\n][^\n]*/ . Util.eol ]
  let lns = Shellvars.del_empty* . (Shellvars.comment | Shellvars.entry_eol_nocommand | unparsed)*
