"""The connection combinations the golden keyfiles cover (case name -> network.interfaces)."""

CASES = {
    "dhcp": "eth0:ipv4=dhcp,ipv6=auto",
    "static-v4": "eth0:ipv4=static,ip=192.0.2.10/24,gw=192.0.2.1,ipv6=none",
    "static-v4-v6": "eth0:ipv4=static,ip=192.0.2.10/24,gw=192.0.2.1,ipv6=static,ip6=2001:db8::10/64,gw6=2001:db8::1",
    "vlan-on-nic": "eth1:ipv4=none,ipv6=none;eth1.20:type=vlan,parent=eth1,id=20,ipv4=dhcp,ipv6=auto",
    "bond-802.3ad": ("bond0:type=bond,mode=802.3ad,miimon=100,lacp_rate=fast,xmit_hash_policy=layer3+4,ipv4=dhcp,"
                     "ipv6=auto;eth1:master=bond0;eth2:master=bond0"),
    "vlan-on-bond": ("bond0:type=bond,mode=active-backup,miimon=100,primary=eth1,ipv4=none,ipv6=none;"
                     "bond0.30:type=vlan,parent=bond0,id=30,ipv4=static,ip=198.51.100.7/24,gw=198.51.100.1,ipv6=none;"
                     "eth1:master=bond0;eth2:master=bond0"),
    "bridged-vlan-bond": ("bond0:type=bond,mode=balance-xor,miimon=100,xmit_hash_policy=layer2+3,ipv4=none,ipv6=none;"
                          "bond0.40:type=vlan,parent=bond0,id=40,master=brbond0.40;"
                          "brbond0.40:type=bridge,ipv4=static,ip=203.0.113.5/25,gw=203.0.113.1,ipv6=auto;"
                          "eth1:master=bond0;eth2:master=bond0"),
    "ipv6-only": "eth0:ipv4=none,ipv6=static,ip6=2001:db8::10/64,gw6=2001:db8::1,mtu=9000",
}
