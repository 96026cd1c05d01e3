/* The UDP server seed 002 opens with, as it writes it, completed only with
 * its declarations and includes (the two `...` are the address arguments
 * those declarations make).  It reads one datagram on port 8888, prints it
 * and returns: `make run APP=examples/udp_server.c`, then from the host
 * `echo hello | nc -u -w1 <guest> 8888`.  As in the seed, a datagram of
 * BUFFSIZE bytes or more would write buff[BUFFSIZE]: send less. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#define BUFFSIZE 1024

int main(){
struct sockaddr_in serverAddr = { .sin_family = AF_INET, .sin_port = htons(8888),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
struct sockaddr_in clientAddr;
socklen_t clientAddrLen = sizeof(clientAddr);
int serverSocketFd = socket(AF_INET, SOCK_DGRAM, 0);
bind(serverSocketFd, (struct sockaddr *)&serverAddr, sizeof(serverAddr));
char buff[BUFFSIZE];
int readCount = recvfrom(serverSocketFd, buff, BUFFSIZE, 0, (struct sockaddr *)&clientAddr, &clientAddrLen);
buff[readCount] = '\0';
printf("Receive from client:%s\n", buff);
}
