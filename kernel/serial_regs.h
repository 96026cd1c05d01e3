/* 16550 UART registers, by their datasheet mnemonics (TI PC16550D,
 * "Universal Asynchronous Receiver/Transmitter with FIFOs", table 2:
 * register summary).  Offsets from the port base; COM1 is at 0x3F8 on IRQ 4
 * (IBM PC/AT Technical Reference, I/O address map). */
#ifndef KERNEL_SERIAL_REGS_H
#define KERNEL_SERIAL_REGS_H

#define COM1_BASE     0x3F8
#define COM1_ISA_IRQ  4

#define UART_THR      0       /* transmit holding (write) */
#define UART_RBR      0       /* receive buffer (read) */
#define UART_DLL      0       /* divisor latch low (DLAB=1) */
#define UART_IER      1       /* interrupt enable */
#define UART_DLM      1       /* divisor latch high (DLAB=1) */
#define UART_IIR      2       /* interrupt identification (read) */
#define UART_FCR      2       /* FIFO control (write) */
#define UART_LCR      3       /* line control */
#define UART_MCR      4       /* modem control */
#define UART_LSR      5       /* line status */
#define UART_SCR      7       /* scratch */

/* IER: PC16550D 8.6.3 */
#define IER_ERBFI     0x01    /* received data available (and FIFO timeout) */
#define IER_ETBEI     0x02    /* transmitter holding register empty */
#define IER_ELSI      0x04    /* receiver line status */
#define IER_EDSSI     0x08    /* modem status */

/* IIR: PC16550D table 4; bit 0 is 0 while an interrupt is pending */
#define IIR_NO_INT    0x01
#define IIR_ID_MASK   0x0E
#define IIR_ID_RLS    0x06    /* receiver line status */
#define IIR_ID_RDA    0x04    /* received data available */
#define IIR_ID_CTI    0x0C    /* character timeout (FIFO mode) */

/* LCR: PC16550D 8.4 */
#define LCR_8N1       0x03    /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB      0x80    /* divisor latch access */

/* FCR: PC16550D 8.5 */
#define FCR_ENABLE    0x01
#define FCR_CLEAR     0x06    /* clear the receive and transmit FIFOs */
#define FCR_TRIG_1    0x00    /* receive interrupt at 1 byte */
#define FCR_TRIG_14   0xC0    /* receive interrupt at 14 bytes */

/* MCR: PC16550D 8.7; OUT2 gates the UART's interrupt onto the ISA line
 * on PC compatibles */
#define MCR_DTR_RTS   0x03
#define MCR_OUT2      0x08

/* LSR: PC16550D 8.8 */
#define LSR_DR        0x01    /* data ready */
#define LSR_OE        0x02    /* overrun error */
#define LSR_PE        0x04    /* parity error */
#define LSR_FE        0x08    /* framing error */
#define LSR_BI        0x10    /* break interrupt */
#define LSR_THRE      0x20    /* transmit holding register empty */

#define UART_CLOCK    115200  /* the 1.8432 MHz crystal divided by 16 */
#define UART_BAUD     115200

#endif
