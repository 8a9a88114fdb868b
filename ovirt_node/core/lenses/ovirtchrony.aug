(* OvirtChrony: chrony's configuration (/etc/chrony/chrony.conf, EL's /etc/chrony.conf), for
   the NTP sources the node reads and writes. The same tree as the Chrony lens for those: a
   `server`, `pool` or `peer` line is a node of that name holding the address, its options
   under it (`iburst` a node with no value, `minpoll 4` the node `minpoll` holding 4), and
   comments start with ! ; # or %. Unlike Chrony, every other directive is one node holding
   the rest of its line as written (Chrony has a subtree for each of forty directives, and
   compiling that grammar costs about 5 MiB and 20 ms of the setup TUI's first screen, whose
   Status page reads the network section; this one under 1 MiB and 4 ms). A source with no
   address or an option Chrony does not know is refused as Chrony refuses it. *)
module OvirtChrony =
  let eol = Util.eol
  let space = Sep.space
  let comment = Util.comment_generic /[ \t]*[!;#%][ \t]*/ "# "
  let source_kw = "server" | "pool" | "peer"
  let word = /[^ \t\n!;#%]+/
  let name = /[A-Za-z_][A-Za-z0-9_]*/
  (* The source options Chrony knows: flags, and those that take a value. Listed, not "any
     other word" (a regexp difference with the valued ones cost 3 MiB to compile). *)
  let flag = "auto_offline" | "iburst" | "noselect" | "offline" | "prefer" | "copy" | "require"
           | "trust" | "xleave" | "burst" | "nts"
  let valued = "asymmetry" | "certset" | "extfield" | "filter" | "key" | /maxdelay((dev)?ratio)?/
             | /(min|max)poll/ | /(min|max)samples/ | "maxsources" | "mindelay" | "offset"
             | "polltarget" | "port" | "presend" | "version"
  let option = [ space . key flag ] | [ space . key valued . space . store word ]
  let source = [ Util.indent . key source_kw . space . store word . option* . eol ]
  let rest = /[^ \t\n]([^\n]*[^ \t\n])?/
  let directive_kw = name - source_kw
  let directive = [ Util.indent . key directive_kw . eol ]
                | [ Util.indent . key directive_kw . space . store rest . eol ]
  let lns = (source | directive | comment | Util.empty)*
