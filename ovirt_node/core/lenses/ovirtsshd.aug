(* OvirtSshd: /etc/ssh/sshd_config, the options the node sets (Port, PasswordAuthentication).
   The same tree as the Sshd lens for what the node reads and writes: a top-level
   `Keyword value` line is the node `Keyword` holding the value, and each Match block is a
   `Match` node (its condition line under `Condition`, its lines under `Settings`), so an option
   can be inserted before the first Match block. Unlike Sshd, every option's value is stored
   whole as written (Sshd splits AcceptEnv, Ciphers, Subsystem and a dozen more into their own
   subtrees), and a Match condition is one string. Those special cases are what make Sshd slow
   to build: about 30 ms for each handle, ten times this lens (see `make bench`), paid by every
   `ovirt-node-config get ssh.port`. *)
module OvirtSshd =
  let eol = del /[ \t]*\n/ "\n"
  let sep = del /[ \t=]+/ " "
  let indent = del /[ \t]*/ "  "
  let match_kw = /[Mm][Aa][Tt][Cc][Hh]/
  let value = store /[^ \t\n=]+([ \t=]+[^ \t\n=]+)*/
  let option = [ key (/[A-Za-z0-9]+/ - match_kw) . sep . value . eol ]
  let condition = [ label "Condition" . value . eol ]
  let settings = [ label "Settings" . (indent . (option | Util.comment_noindent) | Util.empty)+ ]
  let match = [ key match_kw . sep . condition . settings ]
  let lns = (option | Util.comment | Util.empty)* . match*
