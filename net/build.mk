# The network stack glue (skb, NAPI, lwIP) arrives with its issue.
